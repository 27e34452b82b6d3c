package org.metaadamw.train;

/** Training produced NaN/Inf parameters in too many consecutive rounds; the last finite state is kept. */
public final class NonFiniteTrainingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NonFiniteTrainingException(String message) {
        super(message);
    }
}
