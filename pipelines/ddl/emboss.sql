-- Card embossing (PostgreSQL): the queue behind the `emboss` system of
-- pipelines/customer-identity.yaml. The embosser's character rules (upper-case ASCII)
-- live in the application, not here; the table holds 2 to 26 characters.
CREATE TABLE emboss_queue (
    card_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    embossed_name  varchar(26) NOT NULL CHECK (char_length(embossed_name) >= 2),
    queued_at      timestamp with time zone NOT NULL DEFAULT now()
);
