package dk.eindkomst.transport.beskedfordeler;

/**
 * The user's code for decoded messages, the same for the AMQP and the REST channel. Return normally only after
 * the records are durably stored: the outcome is then written to the ledger and the message acknowledged (AMQP)
 * or answered with StatusKode 20 (REST), and it is never handed over again. Throwing means "not stored": the
 * message comes again, up to the configured number of attempts, then it is dead-lettered.
 *
 * <p>A call is repeated only if an earlier call for the same {@code BeskedId} did not return or threw; the
 * repeat then has {@link Besked#interrupted()} set when the earlier call never returned (check your store for
 * {@link Besked#beskedId()} then).
 */
@FunctionalInterface
public interface BeskedHandler {
    void handle(Besked besked) throws Exception;
}
