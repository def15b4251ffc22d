package ai.t2l.miniature;

import java.nio.charset.StandardCharsets;

/**
 * Stable seeds from names. String.hashCode is only 32 bits and collides easily, so we use FNV-1a 64 and then a
 * SplitMix64 finaliser, giving the same stream on every JVM for the same (seed, name) pair.
 */
final class Seeds {
    private Seeds() {}

    static long fnv1a(String text) {
        long h = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        return h;
    }

    static long mix(long seed, String... parts) {
        long h = seed;
        for (String p : parts) {
            h = splitMix(h ^ fnv1a(p));
        }
        return h;
    }

    private static long splitMix(long z) {
        z += 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
