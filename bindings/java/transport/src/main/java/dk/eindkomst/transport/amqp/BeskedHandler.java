package dk.eindkomst.transport.amqp;

/**
 * The user's code for decoded messages. Return normally only after the records are durably stored: the
 * message is acknowledged right after. Throwing leaves the message on the queue; it is delivered again.
 * A handler should be idempotent on {@link Besked#beskedId()}: after a process restart a message handled
 * just before the crash can come again.
 */
@FunctionalInterface
public interface BeskedHandler {
    void handle(Besked besked) throws Exception;
}
