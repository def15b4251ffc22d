package ai.t2l.miniature;

/** Small helpers shared by the operations and their phrasings. */
final class Words {
    private Words() {}

    static final String VOWELS = "aeiou";

    static boolean isVowel(char c) {
        return VOWELS.indexOf(Character.toLowerCase(c)) >= 0;
    }

    static String number(int k) {
        return switch (k) {
            case 1 -> "one";
            case 2 -> "two";
            case 3 -> "three";
            case 4 -> "four";
            case 5 -> "five";
            case 6 -> "six";
            case 7 -> "seven";
            case 8 -> "eight";
            default -> Integer.toString(k);
        };
    }

    /** "1 place", "3 places". */
    static String count(int k, String noun) {
        return k + " " + noun + (k == 1 ? "" : "s");
    }

    /** "one place", "three places". */
    static String countWords(int k, String noun) {
        return number(k) + " " + noun + (k == 1 ? "" : "s");
    }

    static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
