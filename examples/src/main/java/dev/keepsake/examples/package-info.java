/** The Keepsake demo server ({@code serve}) and the operators' command line ({@code backup}, {@code restore}, {@code verify}). */
package dev.keepsake.examples;
