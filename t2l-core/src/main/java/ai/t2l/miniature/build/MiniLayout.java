package ai.t2l.miniature.build;

/** Where each artifact of a miniature folder lives (paths relative to the folder). */
public final class MiniLayout {
    public static final String PROVENANCE = "provenance.json";
    public static final String STAGES = "stages";
    public static final String WORLD = "world";
    public static final String MODEL = "model";
    public static final String EMBEDDINGS = MiniEmbeddings.FILE;
    public static final String ORACLE = "oracle";
    public static final String MULTITASK = "multitask";

    private MiniLayout() {}

    /** A T2L checkpoint folder, e.g. t2l/sft-M. */
    public static String t2l(String name) {
        return "t2l/" + name;
    }
}
