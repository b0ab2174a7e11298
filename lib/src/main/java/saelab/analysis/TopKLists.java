package saelab.analysis;

import java.util.Arrays;

/**
 * One bounded top-k list per latent, all in three flat arrays (value, image, patch) of
 * {@code latents × k} entries, each list a binary min-heap on its slice (Williams 1964, "Heapsort"),
 * so memory is exactly 12 bytes per entry and an offer costs O(1) when it loses and O(log k) when it
 * enters. Order: a larger value ranks higher; for equal values the lower image index, then the lower
 * patch index ranks higher. This makes the result independent of the order and batching of offers.
 */
public final class TopKLists {

    private final int k;
    private final float[] value;
    private final int[] image;
    private final int[] patch;
    private final int[] size;

    TopKLists(int latents, int k) {
        if (k <= 0) {
            throw new IllegalArgumentException("k must be positive, got " + k);
        }
        this.k = k;
        int n = Math.multiplyExact(latents, k);
        this.value = new float[n];
        this.image = new int[n];
        this.patch = new int[n];
        this.size = new int[latents];
    }

    int k() {
        return k;
    }

    /** Whether entry a ranks below entry b (a would be evicted first). */
    private boolean worse(int a, int b) {
        return worse(value[a], image[a], patch[a], value[b], image[b], patch[b]);
    }

    private static boolean worse(float va, int ia, int pa, float vb, int ib, int pb) {
        if (va != vb) {
            return va < vb;
        }
        if (ia != ib) {
            return ia > ib;
        }
        return pa > pb;
    }

    /** Offers (v, img, p) to latent {@code l}'s list. */
    void offer(int l, float v, int img, int p) {
        int base = l * k;
        int n = size[l];
        if (n < k) {
            int i = base + n;
            size[l] = n + 1;
            value[i] = v;
            image[i] = img;
            patch[i] = p;
            // sift up
            while (i > base) {
                int parent = base + (i - base - 1) / 2;
                if (!worse(i, parent)) {
                    break;
                }
                swap(i, parent);
                i = parent;
            }
            return;
        }
        if (!worse(value[base], image[base], patch[base], v, img, p)) {
            return; // not better than the current worst
        }
        value[base] = v;
        image[base] = img;
        patch[base] = p;
        int i = base;
        while (true) {
            int c = base + 2 * (i - base) + 1;
            if (c >= base + k) {
                break;
            }
            if (c + 1 < base + k && worse(c + 1, c)) {
                c++;
            }
            if (!worse(c, i)) {
                break;
            }
            swap(i, c);
            i = c;
        }
    }

    /** The smallest value that still enters latent l's list (−∞ while it is not full). */
    float threshold(int l) {
        return size[l] < k ? Float.NEGATIVE_INFINITY : value[l * k];
    }

    private void swap(int a, int b) {
        float v = value[a];
        value[a] = value[b];
        value[b] = v;
        int t = image[a];
        image[a] = image[b];
        image[b] = t;
        t = patch[a];
        patch[a] = patch[b];
        patch[b] = t;
    }

    /**
     * Sorted lists, best first, flat [latents × k] each; −1 (values too) where a list has fewer entries.
     *
     * @param values  the ranked values
     * @param images  cache image indices
     * @param patches patch indices in raster order of the grid (−1 for image-level and CLS lists)
     */
    public record Sorted(float[] values, int[] images, int[] patches) {}

    Sorted sorted() {
        int latents = size.length;
        float[] v = new float[value.length];
        int[] im = new int[value.length];
        int[] pa = new int[value.length];
        Arrays.fill(v, -1f);
        Arrays.fill(im, -1);
        Arrays.fill(pa, -1);
        Integer[] order = new Integer[k];
        for (int l = 0; l < latents; l++) {
            int base = l * k;
            int n = size[l];
            for (int i = 0; i < n; i++) {
                order[i] = base + i;
            }
            Arrays.sort(order, 0, n, (a, b) -> worse(a, b) ? 1 : worse(b, a) ? -1 : 0);
            for (int i = 0; i < n; i++) {
                v[base + i] = value[order[i]];
                im[base + i] = image[order[i]];
                pa[base + i] = patch[order[i]];
            }
        }
        return new Sorted(v, im, pa);
    }
}
