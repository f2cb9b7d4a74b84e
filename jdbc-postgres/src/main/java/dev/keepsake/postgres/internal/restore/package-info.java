/** The part's all-or-nothing restore: the backup's schemas replaced in one transaction, big tables staged on connections of their own beforehand, the commit or rollback the engine asks for; may change at any time. */
package dev.keepsake.postgres.internal.restore;
