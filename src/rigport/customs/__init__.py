"""rigport.customs"""
