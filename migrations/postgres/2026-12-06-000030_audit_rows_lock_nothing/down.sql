ALTER TABLE contact_reads
    ADD CONSTRAINT contact_reads_petition_id_fkey FOREIGN KEY (petition_id) REFERENCES petitions (id),
    ADD CONSTRAINT contact_reads_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);
