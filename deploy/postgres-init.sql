-- One database per service on one server.
CREATE DATABASE intake OWNER zerovisit;
CREATE DATABASE workflow OWNER zerovisit;
CREATE DATABASE metrics OWNER zerovisit;
