package ai.t2l.eval.bench;

/**
 * What a code benchmark needs besides the model's text: the problem prompt (HumanEval: the function
 * signature and docstring; MBPP: the docstring with the first assertion), the test code run after the
 * solution, and whether the solution is sanitised first (MBPP, spec §8.2).
 */
public record CodeTask(String prompt, String test, boolean sanitize) {}
