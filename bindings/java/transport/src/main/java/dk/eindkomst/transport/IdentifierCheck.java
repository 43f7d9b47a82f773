package dk.eindkomst.transport;

/** The engine's verdict on single identifiers, used before anything is sent to a service. */
public interface IdentifierCheck {
    /** {@code null} when the engine accepts {@code cpr} as a CPR number, else the engine's finding code. */
    String cprProblem(String cpr);

    /** {@code null} when the engine accepts {@code seNr} as an SE-nr, else the engine's finding code. */
    String seNrProblem(String seNr);
}
