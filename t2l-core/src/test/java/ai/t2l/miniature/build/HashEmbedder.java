package ai.t2l.miniature.build;

import ai.t2l.embed.TaskEmbedder;
import ai.t2l.embed.TaskEmbedding;

/** A fast deterministic stand-in for the bundled encoder in pipeline tests: a seeded vector per text, norm √dim. */
final class HashEmbedder implements TaskEmbedder {
    @Override
    public String name() {
        return "hash (test)";
    }

    @Override
    public int dimension() {
        return 384;
    }

    @Override
    public TaskEmbedding embed(String description) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(description.hashCode());
        float[] v = new float[384];
        double n = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
            n += v[i] * v[i];
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] / Math.sqrt(n) * Math.sqrt(384));
        }
        return new TaskEmbedding(v, description, 0, null);
    }
}
