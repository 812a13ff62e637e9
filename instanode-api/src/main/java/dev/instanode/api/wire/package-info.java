/**
 * The JSON bodies of the HTTP contract (API.md), one record per shape, so any transport and an
 * OpenAPI document can name them. Names are spelled out with {@code @JsonProperty} and presence
 * with {@code @JsonInclude}, so a record answers the same bytes whatever mapper writes it: bodies
 * that older clients read with every key present (nulls included) are {@code ALWAYS}; the provision
 * reply omits what does not apply ({@code NON_ABSENT}). Error bodies are {@code ErrorEnvelope}.
 */
package dev.instanode.api.wire;
