/** Engine-free types shared by training and deployment: model spec, artifacts, preprocessing. */
package dev.imgclass.core;
