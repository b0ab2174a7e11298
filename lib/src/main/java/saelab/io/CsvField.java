package saelab.io;

/**
 * One CSV field as RFC 4180 writes it: a field holding a comma, a double quote, a carriage return or a line feed is
 * enclosed in double quotes with its quotes doubled; any other field is written as is. Every CSV saelab writes by hand
 * quotes its text fields through here (class names come from datasets and may hold any of these). Written by hand:
 * one rule of four characters, where a CSV library would mean a writer object per table.
 */
public final class CsvField {

    private CsvField() {}

    /** The field for {@code s} ({@code null} is the empty field). */
    public static String of(String s) {
        if (s == null) {
            return "";
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ',' || c == '"' || c == '\n' || c == '\r') {
                return '"' + s.replace("\"", "\"\"") + '"';
            }
        }
        return s;
    }
}
