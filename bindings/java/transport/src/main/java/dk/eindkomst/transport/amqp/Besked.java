package dk.eindkomst.transport.amqp;

import dk.eindkomst.Finding;
import dk.eindkomst.Record;
import java.util.List;

/**
 * One Beskedfordeler message, decoded by the engine, as handed to a {@link BeskedHandler}.
 *
 * @param messageId   the AMQP {@code message_id} (unique per delivered copy)
 * @param beskedId    {@code Haendelsesbesked/BeskedId} (the sender's id for the event), or {@code null}
 * @param redelivered the broker's redelivered flag (an earlier delivery was not acknowledged)
 * @param records     the records of the Base64 payload, in order
 * @param warnings    the engine's warnings (records were still decoded); never rejected lines or errors
 */
public record Besked(String messageId, String beskedId, boolean redelivered, List<Record> records, List<Finding> warnings) {
    public Besked {
        records = List.copyOf(records);
        warnings = List.copyOf(warnings);
    }
}
