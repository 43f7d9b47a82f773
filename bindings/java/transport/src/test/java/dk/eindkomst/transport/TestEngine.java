package dk.eindkomst.transport;

/** The real engine for tests. */
public final class TestEngine {
    private TestEngine() {}

    private static final EngineIdentifiers IDENTIFIERS = new EngineIdentifiers();

    public static IdentifierCheck identifierCheck() {
        return IDENTIFIERS;
    }
}
