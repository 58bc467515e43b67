"""What changes the device: packages, configuration, backups, TPM rule, images."""
