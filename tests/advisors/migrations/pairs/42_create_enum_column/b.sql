CREATE TYPE ticket_state AS ENUM ('open', 'closed');
CREATE TABLE tickets (
  id integer PRIMARY KEY,
  title varchar(100) NOT NULL,
  state ticket_state NOT NULL DEFAULT 'open'
);
