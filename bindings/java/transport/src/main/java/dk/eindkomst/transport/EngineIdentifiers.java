package dk.eindkomst.transport;

import dk.eindkomst.Family;
import dk.eindkomst.Field;

/**
 * {@link IdentifierCheck} done by the engine: a CPR is checked as the employer family's 6000 CPR field, an SE-nr
 * as the 2001 SE field ({@link Family#checkField}), by the same rules the decoder applies to those fields in a
 * line, so the engine's rules (and only them) decide. Warnings do not count. Thread-safe.
 */
public final class EngineIdentifiers implements IdentifierCheck {
    private final Family family = Family.employer();

    @Override
    public String cprProblem(String cpr) {
        return verdict(6000, Field.Role.CPR, cpr);
    }

    @Override
    public String seNrProblem(String seNr) {
        return verdict(2001, Field.Role.SE, seNr);
    }

    /** The finding's code ("not_digit", "wrong_length"), or null when the value is fine. */
    private String verdict(int recordType, Field.Role role, String value) {
        return family.checkField(recordType, role, value)
                .filter(c -> !c.warning())
                .map(c -> c.kind().code())
                .orElse(null);
    }
}
