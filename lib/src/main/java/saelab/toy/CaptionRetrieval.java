package saelab.toy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Image-to-text retrieval inside a batch of held-out scenes (the zero-shot retrieval check of CLIP, Radford et
 * al. 2021): each image picks the caption of highest logit among the batch's captions; since toy captions
 * repeat, a pick counts as a hit when its text equals the image's own caption. Chance is the expected hit rate
 * of a uniformly random pick from the same candidates: for each image, the share of candidates whose text
 * equals its caption.
 */
final class CaptionRetrieval {

    /**
     * Sums over the images of one batch.
     *
     * @param hits   images whose top caption has their caption's text
     * @param chance expected hits of random picks
     * @param images images scored
     */
    record Tally(int hits, double chance, int images) {

        /** The sum of two tallies. */
        Tally plus(Tally o) {
            return new Tally(hits + o.hits, chance + o.chance, images + o.images);
        }

        /** The hit rate. */
        double rate() {
            return images == 0 ? Double.NaN : (double) hits / images;
        }

        /** The chance rate. */
        double chanceRate() {
            return images == 0 ? Double.NaN : chance / images;
        }
    }

    private CaptionRetrieval() {}

    /**
     * Scores one batch.
     *
     * @param logits   {@code [images][captions]}: row i are image i's logits over the candidate captions
     * @param captions the candidates, caption j the caption of image j (so {@code logits} is square)
     */
    static Tally score(float[][] logits, List<String> captions) {
        int n = captions.size();
        if (logits.length != n) {
            throw new IllegalArgumentException("caption retrieval: " + logits.length + " images but " + n
                    + " captions; each image's own caption is a candidate");
        }
        Map<String, Integer> counts = new HashMap<>();
        for (String c : captions) {
            counts.merge(c, 1, Integer::sum);
        }
        int hits = 0;
        double chance = 0;
        for (int i = 0; i < n; i++) {
            if (logits[i].length != n) {
                throw new IllegalArgumentException("caption retrieval: row " + i + " has " + logits[i].length + " logits, expected " + n);
            }
            int best = 0;
            for (int j = 1; j < n; j++) {
                if (logits[i][j] > logits[i][best]) {
                    best = j;
                }
            }
            hits += captions.get(best).equals(captions.get(i)) ? 1 : 0;
            chance += (double) counts.get(captions.get(i)) / n;
        }
        return new Tally(hits, chance, n);
    }
}
