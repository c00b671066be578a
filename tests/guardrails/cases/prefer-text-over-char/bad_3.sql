-- Every spelling of blank-padded char, alone or as an array element.
CREATE TABLE shipments (
    id bigint PRIMARY KEY,
    country bpchar(2),
    tags char(3)[],
    flags character(1) ARRAY,
    kind "char"
);
