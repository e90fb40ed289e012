package boxoffice.auth;

/** Who sent a request, as its bearer token says: the user ({@code sub}) and whether an admin ({@code roles}). */
public record Caller(String user, boolean admin) {
}
