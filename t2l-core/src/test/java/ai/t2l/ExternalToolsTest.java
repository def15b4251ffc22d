package ai.t2l;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** Issue 10 item 12: a missing program skips with its install step on a developer machine and fails in CI. */
class ExternalToolsTest {
    @Test
    void aMissingProgramSkipsWithTheInstallStepOrFailsInCi() {
        Runnable need = () -> ExternalTools.require("t2l-no-such-program", "a test needs it", "apt-get install -y x");
        if (ExternalTools.inCi()) {
            AssertionError e = assertThrows(AssertionError.class, need::run);
            assertTrue(e.getMessage().startsWith("CI=true: t2l-no-such-program is not installed"), e.getMessage());
        } else {
            TestAbortedException e = assertThrows(TestAbortedException.class, need::run);
            assertTrue(e.getMessage().contains("skipped: t2l-no-such-program is not installed (a test needs it); "
                    + "install it with 'apt-get install -y x'"), e.getMessage());
        }
    }

    @Test
    void aProgramOnThePathIsFound() {
        ExternalTools.require("sh", "every POSIX system has it", "-"); // neither skips nor fails
        assertTrue(ExternalTools.onPath("sh") != null);
    }
}
