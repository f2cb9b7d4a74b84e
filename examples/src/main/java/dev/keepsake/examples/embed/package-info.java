/** How a product team embeds the Keepsake servlet in its own service: the code the README's quick start shows. */
package dev.keepsake.examples.embed;
