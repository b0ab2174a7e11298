package saelab.text;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prompt templates for zero-shot classification, and their expansion over class names (Radford et al. 2021,
 * section 3.1.4 "Prompt engineering and ensembling"; the lists as open_clip's {@code zero_shot_metadata} ships
 * them, MIT licence). A template holds the placeholder {@code {}} (or {@code {c}}) where the class name goes.
 *
 * <p>The OpenAI protocol: encode every (class, template) prompt, L2-normalize each text embedding, average over
 * the templates of a class, L2-normalize again; that is the class's classifier vector.
 */
public final class PromptTemplates {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{c?\\}");
    private static final List<String> OPENAI_80 = TextResources.lines("imagenet_openai_templates_80.txt", 80);
    private static final List<String> SIMPLE_7 = TextResources.lines("imagenet_simple_templates_7.txt", 7);

    private PromptTemplates() {}

    /** OpenAI's 80 ImageNet templates ("a bad photo of a {}.", ..., "a tattoo of the {}."). */
    public static List<String> openAi80() {
        return OPENAI_80;
    }

    /** The 7-template subset that gives about the same ImageNet accuracy ("itap of a {}.", ...). */
    public static List<String> simple7() {
        return SIMPLE_7;
    }

    /** The names {@link #named} knows. */
    public static final List<String> NAMES = List.of("simple7", "openai80");

    /**
     * A template set by name: {@code simple7} ({@link #simple7}) or {@code openai80} ({@link #openAi80}).
     *
     * @throws IllegalArgumentException for another name, listing the known ones
     */
    public static List<String> named(String name) {
        return switch (name) {
            case "simple7" -> simple7();
            case "openai80" -> openAi80();
            default -> throw new IllegalArgumentException("prompt template set '" + name + "' is not known; expected one of " + NAMES);
        };
    }

    /**
     * Every template filled with every class name, class-major: prompt {@code c * templates.size() + t} is template
     * t with class c (so the prompts of one class are consecutive, ready to average). Every occurrence of
     * {@code {}} or {@code {c}} in a template is replaced.
     *
     * @throws IllegalArgumentException when a template has no placeholder
     */
    public static List<String> expand(List<String> classNames, List<String> templates) {
        for (int t = 0; t < templates.size(); t++) {
            String s = templates.get(t);
            if (!PLACEHOLDER.matcher(s).find()) {
                throw new IllegalArgumentException("template " + t + " '" + s + "' has no placeholder; expected {} or {c} where the class name goes");
            }
        }
        List<String> out = new ArrayList<>(Math.multiplyExact(classNames.size(), templates.size()));
        for (String name : classNames) {
            for (String template : templates) {
                out.add(fill(template, name));
            }
        }
        return out;
    }

    /** One template with the class name in place of every {@code {}} and {@code {c}}. */
    public static String fill(String template, String className) {
        return PLACEHOLDER.matcher(template).replaceAll(Matcher.quoteReplacement(className));
    }
}
