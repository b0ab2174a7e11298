package saelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

/**
 * {@link OwnedArrays#converted} copies even when the type already matches, where DJL's {@code toType(type, true)} shares
 * the memory (checked here too, so a DJL version that copies shows up as a failure of the second test).
 */
class OwnedArraysTest {

    @Test
    void theConversionHasMemoryOfItsOwn() {
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray a = nd.create(new float[] {1, 2});
            NDArray same = OwnedArrays.converted(a, DataType.FLOAT32);
            NDArray half = OwnedArrays.converted(a, DataType.FLOAT16);
            a.addi(a);
            assertArrayEquals(new float[] {1, 2}, same.toFloatArray());
            assertEquals(DataType.FLOAT16, half.getDataType());
            assertArrayEquals(new float[] {1, 2}, half.toType(DataType.FLOAT32, false).toFloatArray());
        }
    }

    @Test
    void djlsCopyingConversionSharesMemoryWhenTheTypeMatches() {
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray a = nd.create(new float[] {1, 2});
            NDArray alias = a.toType(DataType.FLOAT32, true);
            a.addi(a);
            assertArrayEquals(new float[] {2, 4}, alias.toFloatArray(), "DJL now copies: OwnedArrays may be retired");
        }
    }
}
