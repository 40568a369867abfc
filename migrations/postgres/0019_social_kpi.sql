-- The social-reaction funnel's raw facts (issue #15, KPIs): the agency channel's posts as the
-- bot (a channel administrator) receives them, their reaction counts over time, and every
-- deep-link `/start`. Times are RFC 3339 UTC text (see store/time.rs).

-- A channel post; an edit rewrites its excerpt and links (`edited_at` set).
CREATE TABLE channel_posts (
    chat_id BIGINT NOT NULL,
    message_id BIGINT NOT NULL,
    posted_at TEXT NOT NULL,
    edited_at TEXT,
    excerpt TEXT NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);

-- The deep-link payloads (`post_12`, `src_vk_77`) a post carries, in its text, its hidden
-- links or its buttons: a start with one of them counts for the post.
CREATE TABLE channel_post_links (
    chat_id BIGINT NOT NULL,
    message_id BIGINT NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (chat_id, message_id, payload)
);
CREATE INDEX channel_post_links_payload ON channel_post_links (payload);

-- A row per reaction change Telegram reports (`message_reaction_count`): the total and the
-- counts per kind as JSON text (`{"👍":3,"custom:5368":1,"paid":2}`). One row per post and
-- second: the same update handled twice after a restart rewrites its own row.
CREATE TABLE post_reactions (
    chat_id BIGINT NOT NULL,
    message_id BIGINT NOT NULL,
    changed_at TEXT NOT NULL,
    total BIGINT NOT NULL,
    kinds TEXT NOT NULL,
    PRIMARY KEY (chat_id, message_id, changed_at)
);

-- Every `/start` with a payload (staff invites aside), by anyone: `kind` is `post` (post_<id>),
-- `network` (src_<network>_<id>) or `other` (any other shape, kept as «прочее»; `payload` NULL
-- when it was not a valid deep-link payload at all). The message id makes a repeat of the same
-- update a no-op.
CREATE TABLE deep_link_starts (
    telegram_id BIGINT NOT NULL,
    message_id BIGINT NOT NULL,
    started_at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('post', 'network', 'other')),
    payload TEXT,
    post_id TEXT,
    network TEXT,
    ref_id TEXT,
    PRIMARY KEY (telegram_id, message_id)
);
CREATE INDEX deep_link_starts_at ON deep_link_starts (started_at);
CREATE INDEX deep_link_starts_payload ON deep_link_starts (payload, started_at);
