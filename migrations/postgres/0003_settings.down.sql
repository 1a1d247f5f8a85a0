DROP TABLE IF EXISTS number_series;
DROP TABLE IF EXISTS tax_rates;
