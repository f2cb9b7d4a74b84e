package dev.keepsake.testkit;

import java.lang.reflect.AnnotatedElement;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * JUnit 5 extension handing tests a real PostgreSQL: {@code @ExtendWith(PostgresExtension.class)}.
 *
 * <p>Resolves parameters of type {@link PostgresServer} (the shared server) and {@link TestDatabase} in test
 * methods, {@code @BeforeEach}/{@code @AfterEach} methods, constructors and {@code @BeforeAll} methods. A
 * {@code TestDatabase} resolved for a test method (and its {@code @BeforeEach}) is fresh for that test and dropped
 * after it; one resolved for {@code @BeforeAll} or a constructor belongs to the test class and is dropped after all
 * its tests. {@link PostgresVersion} picks the major. Stateless; safe for parallel test execution.
 */
public final class PostgresExtension implements ParameterResolver, AfterEachCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == PostgresServer.class || type == TestDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Optional<Integer> major = parameterContext.findAnnotation(PostgresVersion.class).map(PostgresVersion::value)
                .or(() -> majorOf(extensionContext));
        PostgresServer server;
        try {
            server = major.map(PostgresServer::shared).orElseGet(PostgresServer::shared);
        } catch (RuntimeException e) {
            throw new ParameterResolutionException(e.getMessage(), e);
        }
        if (parameterContext.getParameter().getType() == PostgresServer.class) {
            return server;
        }
        String prefix = PostgresServer.sanitizePrefix(
                extensionContext.getTestClass().map(Class::getSimpleName).orElse("test"));
        Databases databases = extensionContext.getStore(NAMESPACE)
                .getOrComputeIfAbsent(key(extensionContext), k -> new Databases(), Databases.class);
        return databases.byServer.computeIfAbsent(server, s -> s.createDatabase(prefix));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        dropDatabasesOf(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        dropDatabasesOf(context);
    }

    private static void dropDatabasesOf(ExtensionContext context) {
        Databases databases = context.getStore(NAMESPACE).remove(key(context), Databases.class);
        if (databases == null) {
            return;
        }
        RuntimeException failure = null;
        for (TestDatabase database : databases.byServer.values()) {
            try {
                database.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Keyed by the context's unique id: the store also finds parents' values, which must not be shared. */
    private static String key(ExtensionContext context) {
        return "databases:" + context.getUniqueId();
    }

    /** The databases handed out in one extension context, one per server. */
    private static final class Databases {
        private final Map<PostgresServer, TestDatabase> byServer = new ConcurrentHashMap<>();
    }

    /** The major from the test method, else the test class, its superclasses or enclosing classes. */
    private static Optional<Integer> majorOf(ExtensionContext context) {
        Optional<Integer> fromMethod = context.getTestMethod().flatMap(PostgresExtension::annotation);
        if (fromMethod.isPresent()) {
            return fromMethod;
        }
        Class<?> type = context.getTestClass().orElse(null);
        while (type != null) {
            Optional<Integer> found = annotation(type);
            if (found.isPresent()) {
                return found;
            }
            type = type.getEnclosingClass();
        }
        return Optional.empty();
    }

    private static Optional<Integer> annotation(AnnotatedElement element) {
        return AnnotationSupport.findAnnotation(element, PostgresVersion.class).map(PostgresVersion::value);
    }
}
