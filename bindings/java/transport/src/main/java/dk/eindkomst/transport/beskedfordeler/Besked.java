package dk.eindkomst.transport.beskedfordeler;

import dk.eindkomst.Finding;
import dk.eindkomst.Record;
import java.util.List;

/**
 * One Beskedfordeler message, decoded by the engine, as handed to a {@link BeskedHandler} by either channel
 * (AMQP consumer or REST push receiver).
 *
 * @param messageId   the AMQP {@code message_id} (unique per delivered copy); {@code null} on the REST channel
 * @param beskedId    {@code Haendelsesbesked/BeskedId} (the sender's id for the event; the ledger's key)
 * @param attempt     1 for the first hand-over of this BeskedId, counted in the durable ledger across restarts
 * @param interrupted the previous attempt never returned (the process stopped inside the handler, or before its
 *                    outcome reached the ledger): the handler should check its own store for {@code beskedId}
 * @param redelivered the broker's redelivered flag (AMQP), or {@code AntalLeveranceforsoeg > 1} (REST)
 * @param records     the records of the Base64 payload(s), in order
 * @param warnings    the engine's warnings (records were still decoded); never rejected lines or errors
 */
public record Besked(String messageId, String beskedId, int attempt, boolean interrupted, boolean redelivered,
                     List<Record> records, List<Finding> warnings) {
    public Besked {
        records = List.copyOf(records);
        warnings = List.copyOf(warnings);
    }
}
