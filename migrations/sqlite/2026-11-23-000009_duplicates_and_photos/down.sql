DROP TABLE photos;
DROP TABLE petition_terms;
