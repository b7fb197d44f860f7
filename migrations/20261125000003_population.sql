-- Inhabitants per municipality of the region, entered by the coordinator for the rates per
-- 1,000 inhabitants in the report.
CREATE TABLE count_population (
    count_id     TEXT NOT NULL REFERENCES counts (id) ON DELETE CASCADE,
    municipality TEXT NOT NULL,
    population   INTEGER NOT NULL CHECK (population > 0),
    PRIMARY KEY (count_id, municipality)
);
