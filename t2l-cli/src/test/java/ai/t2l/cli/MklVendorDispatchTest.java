package ai.t2l.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's MKL vendor-dispatch library (t2l-cli/src/main/native/mkl-vendor-dispatch.c): with it preloaded,
 * the engine's MKL names an instruction-set path in MKL_VERBOSE where it named its generic one, and its products
 * stay as exact as float32 sums allow. Applies on AMD x86-64 Linux with a C compiler; skipped elsewhere.
 */
class MklVendorDispatchTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** What the launcher would preload: the script's output (it builds the library), or null where it prints none. */
    static Path library() throws Exception {
        return library(ROOT);
    }

    private static Path library(Path root) throws Exception {
        Process p = new ProcessBuilder("bash", ROOT.resolve("t2l-cli/src/main/native/mkl-vendor-dispatch.sh").toString(),
                root.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "mkl-vendor-dispatch.sh did not exit");
        assertEquals(0, p.exitValue(), out);
        return out.isEmpty() ? null : Path.of(out);
    }

    private record Probe(String verboseHeader, double relativeError) {}

    /** {@link MklProbe} in a fresh JVM with MKL_VERBOSE=1, the library preloaded or not. */
    private static Probe probe(Path preload) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Dai.djl.offline=true", "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                MklProbe.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("MKL_VERBOSE", "1");
        pb.environment().remove("LD_PRELOAD");
        if (preload != null) {
            pb.environment().put("LD_PRELOAD", preload.toString());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe JVM did not exit");
        assertEquals(0, p.exitValue(), out);
        String header = out.lines().filter(l -> l.startsWith("MKL_VERBOSE oneMKL") || l.startsWith("MKL_VERBOSE Intel"))
                .findFirst().orElseThrow(() -> new AssertionError("no MKL_VERBOSE version line: " + out));
        Matcher error = Pattern.compile("mkl-probe relative error (\\S+)").matcher(out);
        assertTrue(error.find(), out);
        return new Probe(header, Double.parseDouble(error.group(1)));
    }

    /** LD_PRELOAD splits its list at spaces and colons, so a checkout whose path holds one gets no library. */
    @Test
    @Timeout(60)
    void aCheckoutPathWithASpaceOrColonGetsNoLibrary(@TempDir Path dir) throws Exception {
        for (String name : new String[] {"with space", "with:colon"}) {
            Path root = dir.resolve(name);
            Files.createDirectories(root.resolve("t2l-cli/src/main/native"));
            Files.copy(ROOT.resolve("t2l-cli/src/main/native/mkl-vendor-dispatch.c"),
                    root.resolve("t2l-cli/src/main/native/mkl-vendor-dispatch.c"));
            assertNull(library(root), name);
            assertFalse(Files.exists(root.resolve("t2l-cli/target")), name + ": nothing built");
        }
    }

    @Test
    @Timeout(300)
    void mklTakesAnInstructionSetPathWithTheLibraryAndMultipliesAsWell() throws Exception {
        Path lib = library();
        assumeTrue(lib != null, "not an AMD CPU on x86-64 Linux with a C compiler: MKL's vendor check does not apply");
        assertTrue(Files.isRegularFile(lib), lib.toString());
        Probe generic = probe(null);
        Probe dispatched = probe(lib);
        // MKL names the path it took: "... for Intel(R) 64 architecture Intel(R) Architecture processors" when
        // generic, "... Intel(R) Advanced Vector Extensions 2 ..." or "... 512 ..." when chosen by instruction set
        assertFalse(generic.verboseHeader().contains("Advanced Vector Extensions"), generic.verboseHeader());
        assertTrue(dispatched.verboseHeader().contains("Advanced Vector Extensions"), dispatched.verboseHeader());
        // float32 sums of 384 terms: a few units in the last place of the magnitudes, on either path
        assertTrue(generic.relativeError() < 1e-6, "generic path: " + generic.relativeError());
        assertTrue(dispatched.relativeError() < 1e-6, "instruction-set path: " + dispatched.relativeError());
    }
}
