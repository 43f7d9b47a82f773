package dk.eindkomst.transport.amqp;

import dk.eindkomst.transport.beskedfordeler.ReceiverListener;

/** What the consumer reports besides handing messages to the handler. All methods default to no-ops. */
public interface ConsumerListener extends ReceiverListener {
    /** Connected and consuming. */
    default void connected() {}

    /** The connection was lost or could not be made; a new attempt follows after the reconnect delay. */
    default void disconnected(Exception cause) {}
}
