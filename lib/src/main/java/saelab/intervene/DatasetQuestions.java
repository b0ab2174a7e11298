package saelab.intervene;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import saelab.data.DatasetManifest;

/**
 * The questions of the VLM control protocol on a labelled dataset ({@link VlmQuestionFile} rows): one question per image,
 * the same text for every image (e.g. "What species of bird is this?"), the expected answer the image's class name. The
 * images are drawn so that as many classes as possible are asked about: the classes that may be asked (those with a chosen
 * latent to edit) are visited round-robin in a seeded order, each giving its next image from a seeded shuffle of its own,
 * until {@code images} are chosen or every eligible image is. So 200 questions on ImageNet's validation split cover 200
 * classes, and on a small set every class gets its share. Examples without a label, or whose class is not eligible, are
 * never asked about.
 */
public final class DatasetQuestions {

    private DatasetQuestions() {}

    /**
     * The question rows, image paths relative to the manifest's root.
     *
     * @param manifest the dataset's examples and class names
     * @param eligible the class names that may be asked about (others are skipped)
     * @param question the question asked about every image
     * @param images   the most questions (one per image)
     * @param seed     the seed of the class order and of each class's image order
     * @throws IllegalArgumentException when no example's class is eligible, or {@code images} is below 1
     */
    public static List<VlmQuestionFile.Row> rows(DatasetManifest manifest, Collection<String> eligible, String question, int images,
                                                 long seed) {
        if (images < 1) {
            throw new IllegalArgumentException("the VLM questions of a dataset need at least one image; got " + images);
        }
        if (question == null || question.isBlank()) {
            throw new IllegalArgumentException("the VLM questions of a dataset need a question text; got none");
        }
        Set<String> allowed = Set.copyOf(eligible);
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < manifest.classes().size(); c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < manifest.size(); i++) {
            int label = manifest.example(i).label();
            if (label >= 0 && label < byClass.size() && allowed.contains(manifest.className(label))) {
                byClass.get(label).add(i);
            }
        }
        SplittableRandom rng = new SplittableRandom(seed);
        List<Integer> classes = new ArrayList<>();
        for (int c = 0; c < byClass.size(); c++) {
            if (!byClass.get(c).isEmpty()) {
                Collections.shuffle(byClass.get(c), rng.split());
                classes.add(c);
            }
        }
        if (classes.isEmpty()) {
            throw new IllegalArgumentException("dataset " + manifest.kind() + (manifest.split() == null ? "" : " split " + manifest.split())
                    + " has no labelled image of a class with a chosen latent (" + allowed.size() + " such classes); expected images of"
                    + " the classes the concept step matched");
        }
        Collections.shuffle(classes, rng.split());
        List<VlmQuestionFile.Row> out = new ArrayList<>();
        for (int round = 0; out.size() < images; round++) {
            boolean any = false;
            for (int c : classes) {
                List<Integer> pool = byClass.get(c);
                if (round < pool.size() && out.size() < images) {
                    DatasetManifest.Example e = manifest.example(pool.get(round));
                    out.add(new VlmQuestionFile.Row(e.path(), question, manifest.className(c)));
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        return List.copyOf(out);
    }

}
