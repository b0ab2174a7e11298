package saelab.plan;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a plan step of one kind looks like, as a runner declares it for {@link PlanReader}: its input roles (each a
 * reference to a source or to another step, of the types it accepts) and the record its {@code params} object binds
 * to (every field required; null for a kind without parameters).
 *
 * @param name    the kind, as written in a step's {@code "kind"}
 * @param roles   the input roles, in the order they are described
 * @param params  the parameters' record type, or null when the kind takes none
 * @param summary one line saying what a step of this kind does
 */
public record StepKind(String name, List<Role> roles, Class<?> params, String summary) {

    /**
     * One input role.
     *
     * @param name     the key under the step's {@code inputs}
     * @param required whether the step must give it
     * @param accepts  what it may refer to: {@code source:<type>} (a source of that type) or {@code step:<kind>}
     */
    public record Role(String name, boolean required, Set<String> accepts) {
        public Role {
            Objects.requireNonNull(name, "name");
            accepts = Set.copyOf(accepts);
        }

        /** A required role. */
        public static Role of(String name, String... accepts) {
            return new Role(name, true, Set.of(accepts));
        }

        /** An optional role. */
        public static Role optional(String name, String... accepts) {
            return new Role(name, false, Set.of(accepts));
        }
    }

    public StepKind {
        Objects.requireNonNull(name, "name");
        roles = List.copyOf(roles);
    }

    /** The role called {@code role}, or null. */
    public Role role(String role) {
        return roles.stream().filter(r -> r.name().equals(role)).findFirst().orElse(null);
    }
}
