-- The demo application's first release (1.0.x): customers and their orders.
CREATE TABLE customer (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL,
    email      text        NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customer_order (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint        NOT NULL REFERENCES customer (id),
    placed_at   timestamptz   NOT NULL DEFAULT now(),
    total       numeric(12,2) NOT NULL CHECK (total >= 0)
);

CREATE INDEX customer_order_customer_idx ON customer_order (customer_id);

INSERT INTO customer (name, email) VALUES
    ('Ada Lovelace', 'ada@example.org'),
    ('Grace Hopper', 'grace@example.org'),
    ('Edsger Dijkstra', 'edsger@example.org');

INSERT INTO customer_order (customer_id, total)
SELECT c.id, v.total
FROM customer c
JOIN (VALUES ('ada@example.org', 12.50), ('ada@example.org', 99.00), ('grace@example.org', 7.25))
     AS v(email, total) ON v.email = c.email;
