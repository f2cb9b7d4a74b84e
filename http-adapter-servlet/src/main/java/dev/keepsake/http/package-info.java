/** The HTTP adapter: a Jakarta Servlet 6 {@link dev.keepsake.http.MaintenanceServlet} over the maintenance engine, its configuration and the default Basic authenticator. */
package dev.keepsake.http;
