package dk.eindkomst.transportdouble;

/** A request the double refuses, with the reason it reports (never a CPR number: see {@link Mask}). */
final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refusal(String reason) {
        super(Mask.cpr(reason), null, false, false);
    }
}
