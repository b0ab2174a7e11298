package saelab.model;

/** Whether a linear map has a bias vector beside its weight matrix ({@code prefix.bias} next to {@code prefix.weight}). */
enum Bias {
    /** {@code W x + b}: the checkpoint holds {@code prefix.bias}. */
    PRESENT,
    /** {@code W x}: no bias is read. */
    ABSENT
}
