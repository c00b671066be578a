-- SaaS project tracker on MariaDB 10.11: every row belongs to a tenant, and every
-- query filters by tenant_id first.

CREATE TABLE `tenants` (
  `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  `slug` VARCHAR(63) NOT NULL,
  `name` VARCHAR(200) NOT NULL,
  `plan` ENUM('free', 'team', 'business', 'enterprise') NOT NULL DEFAULT 'free',
  `settings` JSON NULL,
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `tenants_slug_uq` (`slug`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Customer organisations';

CREATE TABLE `users` (
  `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  `tenant_id` BIGINT UNSIGNED NOT NULL,
  `email` VARCHAR(255) NOT NULL,
  `display_name` VARCHAR(120) NOT NULL,
  `role` ENUM('owner', 'admin', 'member', 'guest') NOT NULL DEFAULT 'member',
  `is_active` TINYINT(1) NOT NULL DEFAULT 1,
  `last_seen_at` DATETIME(6) NULL,
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `users_tenant_email_uq` (`tenant_id`, `email`),
  CONSTRAINT `users_tenant_fk` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `projects` (
  `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  `tenant_id` BIGINT UNSIGNED NOT NULL,
  `key` VARCHAR(10) NOT NULL COMMENT 'Short code used in task numbers, e.g. OPS',
  `name` VARCHAR(200) NOT NULL,
  `owner_id` BIGINT UNSIGNED NULL,
  `archived` TINYINT(1) NOT NULL DEFAULT 0,
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `projects_tenant_key_uq` (`tenant_id`, `key`),
  CONSTRAINT `projects_tenant_fk` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE CASCADE,
  CONSTRAINT `projects_owner_fk` FOREIGN KEY (`owner_id`) REFERENCES `users` (`id`) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `tasks` (
  `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  `tenant_id` BIGINT UNSIGNED NOT NULL,
  `project_id` BIGINT UNSIGNED NOT NULL,
  `number` INT UNSIGNED NOT NULL,
  `title` VARCHAR(300) NOT NULL,
  `description` TEXT NULL,
  `status` ENUM('backlog', 'todo', 'in_progress', 'review', 'done', 'cancelled') NOT NULL DEFAULT 'backlog',
  `priority` TINYINT NOT NULL DEFAULT 3,
  `assignee_id` BIGINT UNSIGNED NULL,
  `reporter_id` BIGINT UNSIGNED NOT NULL,
  `due_date` DATE NULL,
  `estimate_hours` DECIMAL(6,2) NULL,
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  `updated_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `tasks_project_number_uq` (`project_id`, `number`),
  KEY `tasks_tenant_assignee_idx` (`tenant_id`, `assignee_id`, `status`),
  KEY `tasks_tenant_project_status_idx` (`tenant_id`, `project_id`, `status`),
  CONSTRAINT `tasks_tenant_fk` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE CASCADE,
  CONSTRAINT `tasks_project_fk` FOREIGN KEY (`project_id`) REFERENCES `projects` (`id`) ON DELETE CASCADE,
  CONSTRAINT `tasks_assignee_fk` FOREIGN KEY (`assignee_id`) REFERENCES `users` (`id`) ON DELETE SET NULL,
  CONSTRAINT `tasks_reporter_fk` FOREIGN KEY (`reporter_id`) REFERENCES `users` (`id`),
  CONSTRAINT `tasks_priority_ck` CHECK (`priority` BETWEEN 1 AND 5)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `comments` (
  `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  `tenant_id` BIGINT UNSIGNED NOT NULL,
  `task_id` BIGINT UNSIGNED NOT NULL,
  `author_id` BIGINT UNSIGNED NOT NULL,
  `body` TEXT NOT NULL,
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  `edited_at` DATETIME(6) NULL,
  PRIMARY KEY (`id`),
  KEY `comments_task_idx` (`task_id`, `created_at`),
  CONSTRAINT `comments_tenant_fk` FOREIGN KEY (`tenant_id`) REFERENCES `tenants` (`id`) ON DELETE CASCADE,
  CONSTRAINT `comments_task_fk` FOREIGN KEY (`task_id`) REFERENCES `tasks` (`id`) ON DELETE CASCADE,
  CONSTRAINT `comments_author_fk` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Append-only; partitioned by month so old months are dropped, not deleted row by row.
-- (MariaDB allows no foreign keys on partitioned tables, and the key must include created_at.)
CREATE TABLE `audit_log` (
  `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  `tenant_id` BIGINT UNSIGNED NOT NULL,
  `actor_id` BIGINT UNSIGNED NULL,
  `action` VARCHAR(64) NOT NULL,
  `entity_type` VARCHAR(32) NOT NULL,
  `entity_id` BIGINT UNSIGNED NOT NULL,
  `payload` JSON NULL,
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`, `created_at`),
  KEY `audit_tenant_time_idx` (`tenant_id`, `created_at`),
  KEY `audit_entity_idx` (`entity_type`, `entity_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
PARTITION BY RANGE COLUMNS (`created_at`) (
  PARTITION `p2025_10` VALUES LESS THAN ('2025-11-01'),
  PARTITION `p2025_11` VALUES LESS THAN ('2025-12-01'),
  PARTITION `p2025_12` VALUES LESS THAN ('2026-01-01'),
  PARTITION `p_future` VALUES LESS THAN (MAXVALUE)
);
