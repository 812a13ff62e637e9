package dev.instanode.api.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code POST /api/v1/teams/{team_id}/invitations} (201): the invitation, mailed to its address.
 * {@code replaced} counts the earlier open invitations to the same address this one revoked.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record InvitationReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("invitation") InvitationsReply.Invitation invitation,
    @JsonProperty("replaced") int replaced) {}
