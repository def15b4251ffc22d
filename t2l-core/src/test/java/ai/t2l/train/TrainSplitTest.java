package ai.t2l.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.t2l.train.data.DataPrep;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.data.TaskData;
import ai.t2l.train.data.TaskExample;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The reference's train/validation split (issue 12 item 5; hm/data.py {@code create_dataloaders}): only training
 * tasks that are also eval tasks get {@code train[:90%]} / {@code train[90%:]}, with Hugging Face datasets' percent
 * rounding ({@code int(round(90 * n / 100.0))}, half to even); the others keep every example for training.
 */
class TrainSplitTest {
    private static TaskData task(String name, int n) {
        List<TaskExample> ex = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ex.add(new TaskExample("x" + i, "ab"));
        }
        return new TaskData(name, List.of(name + " description"), ex);
    }

    /** Expected values: CPython 3, {@code int(round(90 * n / 100.0))}. */
    @ParameterizedTest(name = "n={0}")
    @CsvSource({"10,9", "25,22", "35,32", "15,14", "5,4", "1,1", "100,90"})
    void trainSplitEndsWhereHuggingFaceRoundsNinetyPercent(int n, int expectedTrain) {
        PreparedTask p = DataPrep.prepare(task("t", n), Toy.ENCODER, new DataPrep.Settings(32, 0.1, null));
        assertEquals(expectedTrain, p.train().size(), "train[:90%] of " + n);
        assertEquals(n - expectedTrain, p.validation().size(), "train[90%:] of " + n);
    }

    @Test
    void onlyValidationTasksLoseExamplesToValidation() {
        DataPrep.Settings s = new DataPrep.Settings(32, 0.1, null, Set.of("lol_742"));
        PreparedTask evalTask = DataPrep.prepare(task("lol_742", 20), Toy.ENCODER, s);
        PreparedTask other = DataPrep.prepare(task("lol_453", 20), Toy.ENCODER, s);
        assertEquals(18, evalTask.train().size());
        assertEquals(2, evalTask.validation().size());
        assertEquals(20, other.train().size(), "a task that is not evaluated trains on all its examples");
        assertEquals(0, other.validation().size());
    }
}
