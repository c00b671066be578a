DROP TABLE legacy_orders; -- dbarch:disable dropping-table
