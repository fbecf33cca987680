-- The catalogue's generation (issue 17): a new random number whenever the centre, a service, its
-- route or its charges change — by any connection, `deskcli` on the same file included. A process
-- keeps the centre and the services in memory and reads them again when the number is not the
-- one it read them at; a rolled-back change rolls the number back with it, and a random number
-- (not a count) never comes back to mean a different catalogue.
CREATE TABLE catalogue_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO catalogue_generation (id, value) VALUES (1, random());

CREATE TRIGGER centre_insert_generation AFTER INSERT ON centre BEGIN UPDATE catalogue_generation SET value = random() WHERE id = 1; END;
CREATE TRIGGER centre_update_generation AFTER UPDATE ON centre BEGIN UPDATE catalogue_generation SET value = random() WHERE id = 1; END;
CREATE TRIGGER centre_delete_generation AFTER DELETE ON centre BEGIN UPDATE catalogue_generation SET value = random() WHERE id = 1; END;
CREATE TRIGGER service_insert_generation AFTER INSERT ON service BEGIN UPDATE catalogue_generation SET value = random() WHERE id = 1; END;
CREATE TRIGGER service_update_generation AFTER UPDATE ON service BEGIN UPDATE catalogue_generation SET value = random() WHERE id = 1; END;
CREATE TRIGGER service_delete_generation AFTER DELETE ON service BEGIN UPDATE catalogue_generation SET value = random() WHERE id = 1; END;
CREATE TRIGGER service_step_insert_generation AFTER INSERT ON service_step BEGIN UPDATE catalogue_generation SET value = random() WHERE id = 1; END;
CREATE TRIGGER service_step_update_generation AFTER UPDATE ON service_step BEGIN UPDATE catalogue_generation SET value = random() WHERE id = 1; END;
CREATE TRIGGER service_step_delete_generation AFTER DELETE ON service_step BEGIN UPDATE catalogue_generation SET value = random() WHERE id = 1; END;
CREATE TRIGGER service_charge_insert_generation AFTER INSERT ON service_charge BEGIN UPDATE catalogue_generation SET value = random() WHERE id = 1; END;
CREATE TRIGGER service_charge_update_generation AFTER UPDATE ON service_charge BEGIN UPDATE catalogue_generation SET value = random() WHERE id = 1; END;
CREATE TRIGGER service_charge_delete_generation AFTER DELETE ON service_charge BEGIN UPDATE catalogue_generation SET value = random() WHERE id = 1; END;
