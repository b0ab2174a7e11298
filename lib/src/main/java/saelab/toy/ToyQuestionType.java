package saelab.toy;

import java.util.Locale;

/**
 * The kinds of question the toy VLM is trained on and scored by ({@link ToyQuestions}); each has a fixed
 * wording and a single-word answer, except {@link #CAPTION}.
 */
public enum ToyQuestionType {
    /** "what colour is the circle?" about the one object of that shape: its colour word. */
    COLOUR("colour_of_shape"),
    /** "what shape is the red object?" about the one object of that colour: its shape word. */
    SHAPE("shape_of_colour"),
    /** "how many objects are there?": a number word ("one", "two", ...). */
    COUNT("count"),
    /** "what texture is the largest object?" when one object has the most visible pixels: its texture word. */
    TEXTURE("texture_of_largest"),
    /** "describe the image.": the scene's caption ({@link saelab.data.ToyWorldCaption}). */
    CAPTION("caption");

    private final String id;

    ToyQuestionType(String id) {
        this.id = id;
    }

    /** The snake_case name used in reports. */
    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return id.toLowerCase(Locale.ROOT);
    }
}
