-- The demo application's 1.1.0: orders get a status. A backup from 1.0.x is migrated forward by this script
-- after it is restored (Flyway runs in the after-restore hook).
ALTER TABLE customer_order
    ADD COLUMN status text NOT NULL DEFAULT 'placed'
        CHECK (status IN ('placed', 'shipped', 'cancelled'));
