/** Request guards besides the authenticator: refusing cross-site POSTs and slowing down repeated failed logins. */
package dev.keepsake.http.internal.security;
