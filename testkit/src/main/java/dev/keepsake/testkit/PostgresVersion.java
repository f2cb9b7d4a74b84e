package dev.keepsake.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The PostgreSQL major version {@link PostgresExtension} hands out. On a parameter it applies to that parameter only
 * (e.g. one test taking a 13 and a 17 server); on a method it wins over the class; on a class it applies to its
 * tests and nested classes. Without it, the default major is used (see {@link PostgresServer#shared()}).
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.PARAMETER})
public @interface PostgresVersion {

    /** The major version, 13..18. */
    int value();
}
