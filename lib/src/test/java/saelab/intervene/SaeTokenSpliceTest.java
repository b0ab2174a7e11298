package saelab.intervene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import saelab.store.TokenKind;
import saelab.store.TokenLayout;

/** The faithfulness splice puts the SAE's reconstruction on the tokens the SAE was trained on and nowhere else. */
class SaeTokenSpliceTest {

    @Test
    void aPatchSaeLeavesTheClassTokenAndRegistersClean() {
        TokenLayout layout = new TokenLayout(true, 1, 1, 2); // CLS, one register, two patches
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray clean = nd.create(new float[] {1, 1, 2, 2, 3, 3, 4, 4}, new Shape(1, 4, 2));
            NDArray recon = nd.create(new float[] {-1, -1, -2, -2, -3, -3, -4, -4}, new Shape(1, 4, 2));
            assertArrayEquals(new float[] {1, 1, 2, 2, -3, -3, -4, -4},
                    ControlProtocol.onSaeTokens(clean, recon, layout, TokenKind.PATCHES).toFloatArray());
            assertArrayEquals(new float[] {-1, -1, 2, 2, 3, 3, 4, 4}, ControlProtocol.onSaeTokens(clean, recon, layout, TokenKind.CLS).toFloatArray());
            assertArrayEquals(recon.toFloatArray(), ControlProtocol.onSaeTokens(clean, recon, layout, TokenKind.ALL).toFloatArray());
            assertArrayEquals(recon.toFloatArray(), ControlProtocol.onSaeTokens(clean, recon, layout, null).toFloatArray());
        }
    }
}
