package ai.t2l.hypernet;

/** How a hypernetwork was (or will be) trained; it changes initialisation and output scaling (T2L-SPEC §2.8–§2.9). */
public enum TrainingTask {
    SFT, RECON;

    public String referenceName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
